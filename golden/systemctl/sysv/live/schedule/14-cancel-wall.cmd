shutdown -c the maintenance is off
