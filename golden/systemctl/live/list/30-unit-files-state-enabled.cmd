systemctl list-unit-files --state=enabled --no-pager 'demo*'
