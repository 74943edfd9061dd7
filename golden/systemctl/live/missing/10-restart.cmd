systemctl restart nosuch.service
