systemctl start od-nodir.service
