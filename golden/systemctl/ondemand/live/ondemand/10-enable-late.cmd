systemctl enable od-late.service
