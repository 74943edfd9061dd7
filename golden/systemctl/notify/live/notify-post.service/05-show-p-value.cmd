systemctl show -p StatusText --value notify-post.service
