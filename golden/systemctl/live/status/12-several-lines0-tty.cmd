TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ status\ demo-simple.service\ demo-fail.service\ --no-pager\ -n\ 0 /dev/null
