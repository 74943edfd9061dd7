LANG=C systemctl status kill-control.service --no-pager
