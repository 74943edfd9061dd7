systemctl start loop-clean.service
