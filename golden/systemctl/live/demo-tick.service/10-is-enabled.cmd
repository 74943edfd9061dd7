systemctl is-enabled demo-tick.service
