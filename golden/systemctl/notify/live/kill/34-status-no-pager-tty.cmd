TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ status\ kill-control.service\ --no-pager /dev/null
