systemctl start cond-static.service
