systemctl start lim-pair.service
