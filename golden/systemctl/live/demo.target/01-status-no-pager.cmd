systemctl status demo.target --no-pager
