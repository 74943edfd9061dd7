systemctl status notify-exit.service
