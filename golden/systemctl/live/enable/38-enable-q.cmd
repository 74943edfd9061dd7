systemctl -q enable demo-forking.service; systemctl -q disable demo-forking.service
