echo piped text | systemd-run --unit=t-pipe2 --pipe cat
