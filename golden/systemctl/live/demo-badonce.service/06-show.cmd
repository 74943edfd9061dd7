systemctl show demo-badonce.service
