systemd-run --unit=t-nocmd
