systemctl disable demo-simple.service
