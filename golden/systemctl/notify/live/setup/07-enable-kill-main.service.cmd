systemctl enable kill-main.service
