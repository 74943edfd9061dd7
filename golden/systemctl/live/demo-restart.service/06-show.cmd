systemctl show demo-restart.service
