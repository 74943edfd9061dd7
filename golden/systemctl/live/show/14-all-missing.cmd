systemctl show --all nosuch.service
