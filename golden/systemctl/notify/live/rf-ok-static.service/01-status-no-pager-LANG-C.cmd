LANG=C systemctl status rf-ok-static.service --no-pager
