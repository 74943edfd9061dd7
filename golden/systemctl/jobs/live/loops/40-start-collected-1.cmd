systemctl start loop-collected.service
