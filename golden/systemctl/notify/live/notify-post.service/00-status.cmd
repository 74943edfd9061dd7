systemctl status notify-post.service
