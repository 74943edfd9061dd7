systemctl list-units --all --no-pager 'rf-*'
