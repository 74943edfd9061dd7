systemctl enable demo-forking.service demo-fail.service
