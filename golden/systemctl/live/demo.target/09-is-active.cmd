systemctl is-active demo.target
