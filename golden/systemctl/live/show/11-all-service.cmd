systemctl show --all demo-simple.service
