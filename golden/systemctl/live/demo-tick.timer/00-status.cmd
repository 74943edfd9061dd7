systemctl status demo-tick.timer
