TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ list-unit-files\ --no-pager\ \'demo\*\' /dev/null
