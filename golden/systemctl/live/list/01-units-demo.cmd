systemctl list-units --no-pager 'demo*'
