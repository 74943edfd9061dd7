systemctl list-units --type=service --all --plain --no-legend 'demo*'
