systemctl get-default multi-user.target
