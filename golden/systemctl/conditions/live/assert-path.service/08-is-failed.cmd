systemctl is-failed assert-path.service
