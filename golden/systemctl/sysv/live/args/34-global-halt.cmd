systemctl --global halt
