systemctl enable rf-ok.service
