systemctl enable notify-child.service
