LANG=C systemctl status rf-oneshot.service --no-pager
