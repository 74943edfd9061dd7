systemctl list-unit-files --no-pager --type service --all
