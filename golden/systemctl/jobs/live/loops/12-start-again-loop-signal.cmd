systemctl start loop-signal.service
