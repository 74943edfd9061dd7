systemctl is-active demo-linked.service
