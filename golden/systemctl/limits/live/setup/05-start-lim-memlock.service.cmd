systemctl start lim-memlock.service
