TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ status\ notify-ready.service\ --no-pager /dev/null
