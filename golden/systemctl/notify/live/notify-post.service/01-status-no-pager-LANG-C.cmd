LANG=C systemctl status notify-post.service --no-pager
