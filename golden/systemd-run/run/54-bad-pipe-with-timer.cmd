systemd-run --pipe --on-active=10 true
