systemctl reload-or-restart demo-simple.service
