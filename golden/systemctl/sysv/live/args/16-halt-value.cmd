halt --force=1
