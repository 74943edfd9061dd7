shutdown -r +7
