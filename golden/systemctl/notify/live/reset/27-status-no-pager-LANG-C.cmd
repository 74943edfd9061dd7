LANG=C systemctl status rf-never.service --no-pager
