LANG=C systemctl status demo-oneshot.service --no-pager
