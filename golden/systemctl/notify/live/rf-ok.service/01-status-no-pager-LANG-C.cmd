LANG=C systemctl status rf-ok.service --no-pager
