systemctl status assert-static.service
