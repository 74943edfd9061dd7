systemctl list-units --type=service --all --plain --no-pager 'demo*'
