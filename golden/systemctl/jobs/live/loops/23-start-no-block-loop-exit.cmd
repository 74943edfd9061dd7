systemctl start --no-block loop-exit.service
