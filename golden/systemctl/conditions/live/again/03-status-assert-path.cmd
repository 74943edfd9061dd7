systemctl status assert-path.service
