systemctl list-units --failed --no-pager 'demo*'
