systemctl status lim-pair.service
