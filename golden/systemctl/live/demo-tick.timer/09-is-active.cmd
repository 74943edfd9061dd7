systemctl is-active demo-tick.timer
