systemctl status t-remain --no-pager
