LANG=C systemctl status kill-hup.service --no-pager
