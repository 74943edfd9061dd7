systemctl enable kill-hup.service
