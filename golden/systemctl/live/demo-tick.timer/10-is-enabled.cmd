systemctl is-enabled demo-tick.timer
