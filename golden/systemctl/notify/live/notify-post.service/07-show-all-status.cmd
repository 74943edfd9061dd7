systemctl show --all notify-post.service | grep -E '^Status'
