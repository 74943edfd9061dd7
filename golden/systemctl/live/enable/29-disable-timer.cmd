systemctl disable demo-tick.timer
