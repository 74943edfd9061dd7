sleep 1; runlevel
