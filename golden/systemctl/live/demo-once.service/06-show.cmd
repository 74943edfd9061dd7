systemctl show demo-once.service
