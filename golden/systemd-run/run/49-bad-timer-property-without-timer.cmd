systemd-run --timer-property=AccuracySec=1s true
