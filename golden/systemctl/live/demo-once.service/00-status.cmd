systemctl status demo-once.service
