systemctl is-enabled nosuch.service
