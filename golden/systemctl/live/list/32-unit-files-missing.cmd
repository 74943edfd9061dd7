systemctl list-unit-files --no-pager nosuch.service
