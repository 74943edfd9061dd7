systemctl stop demo-simple.service
