TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ list-dependencies\ demo.target\ --no-pager /dev/null
