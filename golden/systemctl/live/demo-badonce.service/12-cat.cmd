systemctl cat demo-badonce.service
