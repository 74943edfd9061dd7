systemd-run --unit=t-wd --working-directory=/tmp -P pwd </dev/null
