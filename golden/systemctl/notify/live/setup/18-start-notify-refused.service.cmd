systemctl start notify-refused.service
