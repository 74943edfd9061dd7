systemctl enable notify-post.service
