systemctl start cond-mixed.service
