systemctl --system is-active demo-simple.service
