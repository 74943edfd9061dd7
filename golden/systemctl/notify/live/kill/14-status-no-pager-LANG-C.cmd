LANG=C systemctl status kill-main.service --no-pager
