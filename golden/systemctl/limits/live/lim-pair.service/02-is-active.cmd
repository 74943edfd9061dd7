systemctl is-active lim-pair.service
