systemctl show --all demo-tick.timer
