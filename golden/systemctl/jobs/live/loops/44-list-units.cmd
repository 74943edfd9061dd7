systemctl list-units --all --no-pager 'fork-*' 'res-*' 'loop-*' 'assert-*'
