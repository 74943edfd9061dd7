systemctl list-units --state=running,exited --no-pager 'demo*'
