systemctl -q enable demo-fail.service
