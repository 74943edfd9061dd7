systemctl set-default multi-user
