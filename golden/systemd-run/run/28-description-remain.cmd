systemd-run --unit=t-remain --description='My transient task' --remain-after-exit true
