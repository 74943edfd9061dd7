systemd-run --on-active=2h true
