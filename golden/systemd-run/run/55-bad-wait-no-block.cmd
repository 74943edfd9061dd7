systemd-run --wait --no-block true
