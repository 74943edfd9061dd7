systemctl --state=help
