systemd-run --unit=t-false --wait false
