systemctl list-units --plain --no-pager 'demo*'
