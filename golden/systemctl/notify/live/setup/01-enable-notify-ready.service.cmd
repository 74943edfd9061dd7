systemctl enable notify-ready.service
