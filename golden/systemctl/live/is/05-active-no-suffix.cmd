systemctl is-active demo-simple
