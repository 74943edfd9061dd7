systemctl start lim-high.service
