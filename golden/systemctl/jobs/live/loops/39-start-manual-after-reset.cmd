systemctl start loop-manual.service
