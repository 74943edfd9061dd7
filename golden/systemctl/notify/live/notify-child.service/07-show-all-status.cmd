systemctl show --all notify-child.service | grep -E '^Status'
