systemctl start loop-oneshot.service
