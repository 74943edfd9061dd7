systemctl try-restart nosuch.service
