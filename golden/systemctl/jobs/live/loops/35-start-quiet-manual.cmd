systemctl start -q loop-manual.service
