systemctl show demo-idle.service
