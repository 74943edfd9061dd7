systemctl enable demo-fail.service
