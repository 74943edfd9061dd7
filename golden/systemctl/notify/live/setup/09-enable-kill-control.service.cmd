systemctl enable kill-control.service
