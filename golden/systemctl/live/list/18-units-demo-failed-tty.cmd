TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ systemctl\ list-units\ --failed\ --no-pager\ \'demo\*\' /dev/null
