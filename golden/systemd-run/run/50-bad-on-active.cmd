systemd-run --on-active=soon true
