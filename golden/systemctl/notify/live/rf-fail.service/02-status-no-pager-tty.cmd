TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ status\ rf-fail.service\ --no-pager /dev/null
