systemctl list-timers --no-pager
