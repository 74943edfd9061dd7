systemctl enable notify-exit.service
