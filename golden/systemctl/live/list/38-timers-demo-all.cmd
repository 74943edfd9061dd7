systemctl list-timers --all --no-pager 'demo*'
