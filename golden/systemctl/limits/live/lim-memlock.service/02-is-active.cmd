systemctl is-active lim-memlock.service
