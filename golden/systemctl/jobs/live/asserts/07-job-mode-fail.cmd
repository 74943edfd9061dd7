systemctl start --job-mode=fail assert-fail.service
