systemctl list-unit-files --plain --no-pager 'demo*'
