shutdown -r +0
