systemctl start env-reset.service
