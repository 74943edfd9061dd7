systemd-run --unit=t-oneshot --service-type=oneshot --wait true
