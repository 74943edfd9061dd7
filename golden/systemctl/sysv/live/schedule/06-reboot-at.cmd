shutdown -r 12:30
