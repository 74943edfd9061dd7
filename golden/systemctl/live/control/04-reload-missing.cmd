systemctl reload nosuch.service
