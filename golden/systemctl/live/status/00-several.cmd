systemctl status demo-simple.service demo-fail.service --no-pager
