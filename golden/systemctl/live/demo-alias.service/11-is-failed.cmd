systemctl is-failed demo-alias.service
