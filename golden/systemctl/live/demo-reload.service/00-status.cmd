systemctl status demo-reload.service
