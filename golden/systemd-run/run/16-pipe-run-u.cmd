systemd-run --pipe echo hi </dev/null
