systemctl start notify-post.service
