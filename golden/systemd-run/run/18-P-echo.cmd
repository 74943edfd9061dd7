systemd-run --unit=t-P1 -P echo hello </dev/null
