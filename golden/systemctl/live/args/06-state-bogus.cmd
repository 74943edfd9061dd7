systemctl list-units --state=bogus --no-pager 'demo*'
