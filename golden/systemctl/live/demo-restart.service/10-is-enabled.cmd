systemctl is-enabled demo-restart.service
