systemctl list-dependencies demo-simple.service --no-pager
