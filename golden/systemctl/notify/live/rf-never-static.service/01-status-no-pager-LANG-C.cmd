LANG=C systemctl status rf-never-static.service --no-pager
