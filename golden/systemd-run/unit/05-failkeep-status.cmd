systemctl status t-failkeep --no-pager
