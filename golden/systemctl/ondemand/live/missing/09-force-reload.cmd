systemctl force-reload od-nosuch.service
