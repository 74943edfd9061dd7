systemctl status lim-high.service
