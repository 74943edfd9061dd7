systemctl cat demo-once.service
