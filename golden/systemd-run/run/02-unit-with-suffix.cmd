systemd-run --unit=t-suffix.service /bin/true
