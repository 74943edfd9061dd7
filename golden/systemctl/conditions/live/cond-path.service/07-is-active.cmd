systemctl is-active cond-path.service
