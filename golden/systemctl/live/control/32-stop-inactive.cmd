systemctl stop demo-once.service
