systemctl status demo-simple.service
