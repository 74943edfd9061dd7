systemctl enable rf-never.service
