LANG=C systemctl status kill-tree.service --no-pager
