systemctl list-dependencies nosuch.service --no-pager
