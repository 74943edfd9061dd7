systemctl enable loop-manual.service
