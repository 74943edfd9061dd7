systemctl start notify-child.service
