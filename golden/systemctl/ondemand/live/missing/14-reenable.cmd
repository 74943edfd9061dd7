systemctl reenable od-nosuch.service
