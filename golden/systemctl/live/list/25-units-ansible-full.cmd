systemctl list-units --no-pager --type service --all --plain
