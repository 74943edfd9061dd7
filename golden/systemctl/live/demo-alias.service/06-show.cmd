systemctl show demo-alias.service
