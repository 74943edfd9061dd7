systemctl is-active nosuch.service
