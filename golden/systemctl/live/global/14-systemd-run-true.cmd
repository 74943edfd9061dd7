systemd-run --unit=z -- /bin/true
