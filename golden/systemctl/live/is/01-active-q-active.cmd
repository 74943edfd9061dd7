systemctl is-active -q demo-simple.service
