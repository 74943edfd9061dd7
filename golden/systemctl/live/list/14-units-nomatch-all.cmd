systemctl list-units --all --no-pager 'nomatch*'
