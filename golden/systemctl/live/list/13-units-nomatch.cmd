systemctl list-units --no-pager 'nomatch*'
