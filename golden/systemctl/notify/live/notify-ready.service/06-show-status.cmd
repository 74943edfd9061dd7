systemctl show notify-ready.service | grep -E '^Status'
