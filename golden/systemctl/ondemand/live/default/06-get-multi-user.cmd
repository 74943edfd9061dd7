systemctl get-default
