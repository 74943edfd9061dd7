TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ SYSTEMD_PAGER=cat\ systemctl\ status\ demo-forking.service /dev/null
