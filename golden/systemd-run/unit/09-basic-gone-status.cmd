systemctl status t-basic --no-pager
