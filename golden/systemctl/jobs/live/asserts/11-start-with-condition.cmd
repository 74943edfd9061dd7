systemctl start assert-fail.service cond-skip.service
