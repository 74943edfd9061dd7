systemctl enable rf-fail.service
