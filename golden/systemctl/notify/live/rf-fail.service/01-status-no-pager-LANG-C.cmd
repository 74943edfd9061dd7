LANG=C systemctl status rf-fail.service --no-pager
