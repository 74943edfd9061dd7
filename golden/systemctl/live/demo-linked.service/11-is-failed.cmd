systemctl is-failed demo-linked.service
