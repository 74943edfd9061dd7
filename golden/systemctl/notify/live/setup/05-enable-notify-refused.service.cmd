systemctl enable notify-refused.service
