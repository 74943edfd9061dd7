systemctl show --all notify-exit.service | grep -E '^Status'
