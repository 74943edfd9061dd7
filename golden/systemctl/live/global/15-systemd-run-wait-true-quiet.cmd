systemd-run --unit=xq --wait --quiet -- /bin/true
