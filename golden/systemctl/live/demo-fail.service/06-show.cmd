systemctl show demo-fail.service
