systemctl status cond-path.service assert-path.service
