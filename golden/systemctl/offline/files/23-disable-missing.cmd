systemctl disable nosuch.service
