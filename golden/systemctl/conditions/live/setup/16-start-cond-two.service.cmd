systemctl start cond-two.service
