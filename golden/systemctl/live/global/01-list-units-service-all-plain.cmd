systemctl list-units --type=service --all --no-pager --plain --no-legend
