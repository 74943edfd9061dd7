systemctl show notify-refused.service | grep -E '^Status'
