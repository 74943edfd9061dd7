systemctl start -q loop-exit.service
