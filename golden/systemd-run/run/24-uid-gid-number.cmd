systemd-run --unit=t-uidgid --uid=65534 --gid=65534 -P sh -c 'id -u; id -g' </dev/null
