systemctl -x status
