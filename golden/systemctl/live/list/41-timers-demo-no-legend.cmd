systemctl list-timers --no-legend --no-pager 'demo*'
