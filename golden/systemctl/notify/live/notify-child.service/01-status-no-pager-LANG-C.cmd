LANG=C systemctl status notify-child.service --no-pager
