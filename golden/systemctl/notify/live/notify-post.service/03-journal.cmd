journalctl -u notify-post.service --no-pager
