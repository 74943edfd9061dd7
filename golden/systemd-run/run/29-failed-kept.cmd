systemd-run --unit=t-failkeep false
