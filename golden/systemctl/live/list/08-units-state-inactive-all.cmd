systemctl list-units --state=inactive --all --no-pager 'demo*'
