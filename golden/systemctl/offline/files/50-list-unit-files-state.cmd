systemctl list-unit-files --state=enabled,static --no-pager 'demo*'
