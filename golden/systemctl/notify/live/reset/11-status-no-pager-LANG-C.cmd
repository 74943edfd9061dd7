LANG=C systemctl status rf-fail-static.service --no-pager
