systemd-run --unit=t-noblock --no-block true
