shutdown -c
