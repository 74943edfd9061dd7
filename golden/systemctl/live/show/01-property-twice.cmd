systemctl show demo-simple.service --property=Id --property=Names
