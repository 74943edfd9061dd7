systemctl stop od-nosuch.service
