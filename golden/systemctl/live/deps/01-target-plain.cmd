systemctl list-dependencies demo.target --plain --no-pager
