systemctl start od-wants.service
