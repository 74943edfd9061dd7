systemctl start -q assert-fail.service
