systemctl cat demo-tick.service
