systemd-run --unit=y --wait -- /bin/false
