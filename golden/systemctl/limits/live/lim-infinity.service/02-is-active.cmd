systemctl is-active lim-infinity.service
