systemd-run --unit=t-nice --nice=5 -P sh -c 'cut -d" " -f19 /proc/self/stat' </dev/null
