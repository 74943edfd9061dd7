systemctl cat demo-linked.service
