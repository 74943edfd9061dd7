systemctl is-active demo-tick.service
