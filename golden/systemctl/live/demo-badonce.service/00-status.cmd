systemctl status demo-badonce.service
