systemctl kill nosuch.service
