systemd-run --unit=t-P2 -P sh -c 'echo partial; exit 5' </dev/null
