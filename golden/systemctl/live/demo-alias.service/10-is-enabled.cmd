systemctl is-enabled demo-alias.service
