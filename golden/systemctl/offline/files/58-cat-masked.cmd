systemctl cat demo-masked.service
