systemctl is-active assert-path.service
