systemctl start cond-skip.service assert-fail.service
