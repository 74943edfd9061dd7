systemctl status demo-tick.service
