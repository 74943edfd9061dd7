systemctl show demo-masked.service
