LANG=C systemctl status notify-exit.service --no-pager
