RUNLEVEL=3 runlevel
