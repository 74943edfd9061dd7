systemd-run
