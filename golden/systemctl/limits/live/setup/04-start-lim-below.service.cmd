systemctl start lim-below.service
