systemctl status demo-simple --no-pager
