systemd-run --unit=t-fire --on-active=1 touch /tmp/fired
