systemctl start lim-none.service
