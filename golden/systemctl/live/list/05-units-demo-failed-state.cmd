systemctl list-units --state=failed --no-pager 'demo*'
