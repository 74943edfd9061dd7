systemd-run --unit=t-collect --collect --wait false
