systemctl is-failed assert-static.service
