systemctl status lim-none.service
