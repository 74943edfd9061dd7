systemctl show -p Id,Description default.target
