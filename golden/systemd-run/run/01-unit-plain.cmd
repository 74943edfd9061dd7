systemd-run --unit=t-basic true
