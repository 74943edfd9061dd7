systemctl start --job-mode=ignore-dependencies assert-fail.service
