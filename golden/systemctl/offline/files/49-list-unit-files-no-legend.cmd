systemctl list-unit-files --no-legend --no-pager 'demo*'
