systemctl set-default
