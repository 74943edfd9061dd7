systemctl is-enabled nosuch3.service
