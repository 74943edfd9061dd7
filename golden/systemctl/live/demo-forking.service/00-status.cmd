systemctl status demo-forking.service
