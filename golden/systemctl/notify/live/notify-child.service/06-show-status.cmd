systemctl show notify-child.service | grep -E '^Status'
