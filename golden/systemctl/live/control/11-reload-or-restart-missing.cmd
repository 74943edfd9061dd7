systemctl reload-or-restart nosuch.service
