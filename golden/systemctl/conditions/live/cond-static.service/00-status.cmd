systemctl status cond-static.service
