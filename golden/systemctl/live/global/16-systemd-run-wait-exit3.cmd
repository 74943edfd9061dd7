systemd-run --unit=x3 --wait -- /bin/sh -c 'exit 3'
