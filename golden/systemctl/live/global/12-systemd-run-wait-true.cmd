systemd-run --unit=x --wait -- /bin/true
