systemctl try-restart assert-fail.service
