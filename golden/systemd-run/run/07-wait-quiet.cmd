systemd-run --unit=t-quiet --wait -q true
