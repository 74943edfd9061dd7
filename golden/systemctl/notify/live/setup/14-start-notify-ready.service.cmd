systemctl start notify-ready.service
