systemd-run --unit=t-cal --on-calendar='*-*-* 03:00:00' true
