systemctl reload demo-simple.service
