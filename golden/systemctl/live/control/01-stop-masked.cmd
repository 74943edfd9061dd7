systemctl stop demo-masked.service
