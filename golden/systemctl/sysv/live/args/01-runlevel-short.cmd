runlevel -x
