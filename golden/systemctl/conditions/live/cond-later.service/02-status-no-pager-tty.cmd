TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ status\ cond-later.service\ --no-pager /dev/null
