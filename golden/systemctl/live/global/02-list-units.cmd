systemctl list-units --no-pager
