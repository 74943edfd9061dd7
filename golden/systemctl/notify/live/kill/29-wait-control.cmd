timeout 10 sh -c 'until [ "$(cat /proc/$(systemctl show -p ControlPID --value kill-control.service)/comm 2>/dev/null)" = sleep ]; do sleep 0.1; done'
