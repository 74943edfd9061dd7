systemctl start rf-fail.service
