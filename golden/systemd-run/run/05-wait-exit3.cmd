systemd-run --unit=t-exit3 --wait sh -c 'exit 3'
