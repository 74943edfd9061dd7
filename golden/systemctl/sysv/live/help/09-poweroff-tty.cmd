TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ poweroff\ --help /dev/null
