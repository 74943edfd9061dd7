systemctl show notify-exit.service | grep -E '^Status'
