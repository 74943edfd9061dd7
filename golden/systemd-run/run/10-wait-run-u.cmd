systemd-run --wait true
