timeout 10 sh -c 'until [ -n "$(systemctl show -p StatusText --value notify-child.service)" ]; do sleep 0.1; done'
