systemctl list-timers --no-pager 'demo*'
