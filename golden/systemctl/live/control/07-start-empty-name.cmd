systemctl start ''
