systemctl status lim-infinity.service
