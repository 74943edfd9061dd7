systemctl kill kill-hup.service
