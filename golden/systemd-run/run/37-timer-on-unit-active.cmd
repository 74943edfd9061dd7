systemd-run --unit=t-ua --on-unit-active=1h true
