systemd-run --unit=t-boot --on-boot=5h --timer-property=AccuracySec=1s true
