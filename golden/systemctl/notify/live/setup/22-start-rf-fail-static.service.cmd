systemctl start rf-fail-static.service
