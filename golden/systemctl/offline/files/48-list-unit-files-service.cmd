systemctl list-unit-files --type=service --no-pager 'demo*'
