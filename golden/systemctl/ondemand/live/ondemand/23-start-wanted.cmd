systemctl start od-wanted.service
