systemctl cat demo-fail.service
