systemctl show notify-post.service | grep -E '^Status'
