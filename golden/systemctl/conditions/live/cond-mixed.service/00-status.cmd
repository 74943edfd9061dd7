systemctl status cond-mixed.service
