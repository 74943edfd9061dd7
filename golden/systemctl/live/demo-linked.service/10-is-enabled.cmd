systemctl is-enabled demo-linked.service
