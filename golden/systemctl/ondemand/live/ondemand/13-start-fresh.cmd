systemctl start od-fresh.service
