systemd-run --unit=t-P3 -P -q echo quiet </dev/null
