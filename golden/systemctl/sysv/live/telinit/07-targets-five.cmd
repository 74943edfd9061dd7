systemctl is-active graphical.target multi-user.target
