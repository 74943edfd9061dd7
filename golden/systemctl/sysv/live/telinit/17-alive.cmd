systemctl is-active multi-user.target
