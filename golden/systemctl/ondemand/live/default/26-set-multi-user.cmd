systemctl set-default multi-user.target
