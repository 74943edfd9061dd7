systemctl enable demo-tick.timer
