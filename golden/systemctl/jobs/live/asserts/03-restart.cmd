systemctl restart assert-fail.service
