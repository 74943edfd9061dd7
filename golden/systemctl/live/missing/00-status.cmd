systemctl status nosuch.service
