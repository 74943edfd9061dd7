systemctl status demo-forking.service --no-pager
