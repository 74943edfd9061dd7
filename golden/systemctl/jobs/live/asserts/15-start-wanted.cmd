systemctl start assert-wanted.service
