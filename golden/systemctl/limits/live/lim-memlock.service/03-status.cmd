systemctl status lim-memlock.service
