runlevel x
