systemctl list-unit-files --no-pager --no-legend 'demo*'
