systemctl start cond-path.service
