systemd-run --unit=t-G -G --wait false
