TERM=xterm-256color script -qec stty\ cols\ 80\ rows\ 24\ -onlcr\;\ journalctl\ -u\ chatty.service\ -g\ error\ --no-pager /dev/null
