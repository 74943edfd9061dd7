systemctl list-units --all --no-pager 'cond-*' 'assert-*'
