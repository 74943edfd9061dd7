shutdown -t
