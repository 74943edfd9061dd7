systemctl start od-late.service
