systemctl start --no-block assert-fail.service
