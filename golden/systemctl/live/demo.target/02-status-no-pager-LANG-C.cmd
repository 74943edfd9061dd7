LANG=C systemctl status demo.target --no-pager
