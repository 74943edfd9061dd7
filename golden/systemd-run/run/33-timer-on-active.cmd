systemd-run --unit=t-timer --on-active=1h true
