LANG=C systemctl status notify-refused.service --no-pager
