systemd-run --unit=t-sig --wait sh -c 'kill -TERM $$'
