systemctl cat demo-alias.service
