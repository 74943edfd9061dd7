systemctl list-unit-files --no-pager demo-simple.service
