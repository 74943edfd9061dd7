systemctl --user status demo-simple.service
