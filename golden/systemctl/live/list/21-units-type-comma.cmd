systemctl list-units --type=service,timer --no-pager 'demo*'
