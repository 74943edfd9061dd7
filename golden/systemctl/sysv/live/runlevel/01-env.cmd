RUNLEVEL=5 runlevel
