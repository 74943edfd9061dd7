runlevel -h
