systemctl status demo-alias.service
