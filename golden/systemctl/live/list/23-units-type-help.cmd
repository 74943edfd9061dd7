systemctl --type=help
