systemctl cat demo-forking.service
