systemctl start loop-exit.service
