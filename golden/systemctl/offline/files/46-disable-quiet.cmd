systemctl -q disable demo-fail.service
