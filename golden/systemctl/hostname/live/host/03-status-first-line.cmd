systemctl status --no-pager 2>/dev/null | head -n 1
