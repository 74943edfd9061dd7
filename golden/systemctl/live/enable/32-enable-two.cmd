systemctl disable demo-idle.service demo-fail.service
