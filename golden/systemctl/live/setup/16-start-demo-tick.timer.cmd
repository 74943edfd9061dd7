systemctl start demo-tick.timer
