/sbin/runlevel -x
