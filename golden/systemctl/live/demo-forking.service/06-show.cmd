systemctl show demo-forking.service
