systemd-run --nice=100 true
