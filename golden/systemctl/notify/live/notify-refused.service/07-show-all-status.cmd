systemctl show --all notify-refused.service | grep -E '^Status'
