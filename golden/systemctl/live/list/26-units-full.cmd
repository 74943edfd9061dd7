systemctl list-units --full --all --no-pager 'demo*'
