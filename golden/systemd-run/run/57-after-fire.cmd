sleep 2; cat /tmp/fired >/dev/null && echo fired
