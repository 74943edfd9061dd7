systemctl reload-or-restart assert-fail.service
