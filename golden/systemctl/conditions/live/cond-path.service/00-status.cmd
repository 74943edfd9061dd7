systemctl status cond-path.service
