LANG=C systemctl status notify-ready.service --no-pager
