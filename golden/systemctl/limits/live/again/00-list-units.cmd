systemctl list-units --all --no-pager 'lim-*'
