systemctl show demo-oneshot.service
