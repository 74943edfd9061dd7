systemctl is-enabled demo-forking.service
