systemctl is-active assert-static.service
