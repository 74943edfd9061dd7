systemctl start cond-later.service
