systemctl show demo-tick.service
