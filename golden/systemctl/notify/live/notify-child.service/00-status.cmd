systemctl status notify-child.service
