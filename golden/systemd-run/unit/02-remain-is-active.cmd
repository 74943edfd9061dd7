systemctl is-active t-remain
