systemctl show demo.target
