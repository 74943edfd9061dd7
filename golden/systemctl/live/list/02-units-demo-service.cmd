systemctl list-units --type=service --no-pager 'demo*'
