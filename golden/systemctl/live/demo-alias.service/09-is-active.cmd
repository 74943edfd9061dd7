systemctl is-active demo-alias.service
