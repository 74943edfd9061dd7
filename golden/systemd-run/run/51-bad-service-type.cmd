systemd-run --service-type=bogus true
