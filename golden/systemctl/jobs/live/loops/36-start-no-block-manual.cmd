systemctl start --no-block loop-manual.service
