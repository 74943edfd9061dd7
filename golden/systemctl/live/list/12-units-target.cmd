systemctl list-units --type=target --no-pager 'demo*'
