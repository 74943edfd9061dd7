systemctl --version --no-pager
