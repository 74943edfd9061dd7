systemctl cat demo-tick.timer
