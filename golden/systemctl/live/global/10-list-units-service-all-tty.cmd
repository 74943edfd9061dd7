TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ list-units\ --type=service\ --all\ --no-pager /dev/null
