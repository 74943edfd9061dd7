systemctl status lim-below.service
