systemctl status demo-masked.service
