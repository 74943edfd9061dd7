systemctl status demo-restart.service
