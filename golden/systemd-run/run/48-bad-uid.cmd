systemd-run --unit=t-baduid --uid=nosuchuser --wait true
