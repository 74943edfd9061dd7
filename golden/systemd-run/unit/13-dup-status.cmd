systemctl status t-dup --no-pager
