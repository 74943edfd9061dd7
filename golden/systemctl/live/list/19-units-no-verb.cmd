systemctl --type=service --all --no-pager 'demo*'
