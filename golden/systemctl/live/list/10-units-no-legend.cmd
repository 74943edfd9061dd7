systemctl list-units --no-legend --no-pager 'demo*'
