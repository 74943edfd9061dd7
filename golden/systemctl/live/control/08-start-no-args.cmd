systemctl start
