systemctl list-units --failed --no-pager 'fork-*' 'res-*' 'loop-*' 'assert-*'
