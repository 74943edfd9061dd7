systemd-run --unit=t-pipe1 --pipe echo hello world </dev/null
