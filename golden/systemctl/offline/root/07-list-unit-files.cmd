systemctl --root=/tmp/sctl-offline-root list-unit-files --no-pager 'demo*'
