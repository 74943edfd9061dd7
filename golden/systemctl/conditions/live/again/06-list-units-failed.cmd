systemctl list-units --failed --no-pager 'cond-*' 'assert-*'
