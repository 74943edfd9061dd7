systemctl show demo-simple.service
