systemctl disable demo-forking.service demo-fail.service
