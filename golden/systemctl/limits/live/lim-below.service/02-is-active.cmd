systemctl is-active lim-below.service
