systemctl cat demo-simple.service
