halt --no
