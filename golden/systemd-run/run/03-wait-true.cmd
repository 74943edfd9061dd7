systemd-run --unit=t-wait --wait true
