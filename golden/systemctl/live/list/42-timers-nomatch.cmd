systemctl list-timers --no-pager 'nomatch*'
