systemctl enable demo-linked.service
