systemctl show demo-linked.service
