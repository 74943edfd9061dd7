systemctl status demo-linked.service
