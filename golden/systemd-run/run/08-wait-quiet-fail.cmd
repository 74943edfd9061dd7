systemd-run --unit=t-quietf --wait --quiet sh -c 'exit 7'
