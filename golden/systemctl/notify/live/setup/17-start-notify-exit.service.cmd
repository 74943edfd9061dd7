systemctl start notify-exit.service
