systemctl start rf-ok-static.service
