systemctl status notify-ready.service
