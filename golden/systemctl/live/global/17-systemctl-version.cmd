systemctl --version
