systemctl list-units --type=bogus --no-pager
