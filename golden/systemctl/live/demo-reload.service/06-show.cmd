systemctl show demo-reload.service
