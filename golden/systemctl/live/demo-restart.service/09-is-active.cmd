systemctl is-active demo-restart.service
