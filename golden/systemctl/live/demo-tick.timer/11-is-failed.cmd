systemctl is-failed demo-tick.timer
