systemctl start --job-mode=isolate assert-fail.service
