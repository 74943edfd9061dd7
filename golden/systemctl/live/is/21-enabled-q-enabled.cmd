systemctl is-enabled -q demo-simple.service
