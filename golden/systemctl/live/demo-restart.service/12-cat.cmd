systemctl cat demo-restart.service
