LANG=C systemctl set-default multi-user.target
