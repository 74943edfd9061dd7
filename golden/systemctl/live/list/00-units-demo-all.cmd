systemctl list-units --all --no-pager 'demo*'
