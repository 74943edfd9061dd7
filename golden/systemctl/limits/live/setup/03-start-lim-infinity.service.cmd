systemctl start lim-infinity.service
