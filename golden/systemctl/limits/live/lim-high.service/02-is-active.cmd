systemctl is-active lim-high.service
