systemctl mask nosuch3.service
