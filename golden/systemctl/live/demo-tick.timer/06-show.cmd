systemctl show demo-tick.timer
