systemctl status demo-fail.service --no-pager
