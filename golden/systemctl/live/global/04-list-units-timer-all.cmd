systemctl list-units --type=timer --all --no-pager
