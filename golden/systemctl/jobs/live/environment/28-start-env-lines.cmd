systemctl start env-lines.service
