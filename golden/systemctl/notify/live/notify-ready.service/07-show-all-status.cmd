systemctl show --all notify-ready.service | grep -E '^Status'
