systemctl list-units -t service -a --no-pager 'demo*'
