systemctl show --all demo.target
