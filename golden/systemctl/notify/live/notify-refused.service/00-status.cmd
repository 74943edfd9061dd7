systemctl status notify-refused.service
