systemctl kill -s HUP kill-hup.service
