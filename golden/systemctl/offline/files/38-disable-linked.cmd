systemctl disable demo-linked.service
