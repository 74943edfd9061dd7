timeout 10 sh -c 'until systemctl show -p ActiveState --value notify-exit.service | grep -qxE "inactive|failed"; do sleep 0.1; done'
