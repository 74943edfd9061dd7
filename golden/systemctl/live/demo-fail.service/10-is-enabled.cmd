systemctl is-enabled demo-fail.service
