systemctl kill -s HUP kill-none.service
