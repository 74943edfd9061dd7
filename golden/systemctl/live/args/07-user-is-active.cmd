systemctl --user is-active demo-simple.service
