systemctl start rf-ok.service
