systemd-run --unit=t-dup sleep 60 && systemd-run --unit=t-dup true
