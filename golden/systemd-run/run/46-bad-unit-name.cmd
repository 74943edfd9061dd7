systemd-run --unit=bad/name true
