systemctl is-active lim-none.service
