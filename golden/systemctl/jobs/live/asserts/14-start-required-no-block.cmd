systemctl start --no-block assert-needed.service
