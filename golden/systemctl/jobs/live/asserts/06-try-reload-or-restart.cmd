systemctl try-reload-or-restart assert-fail.service
