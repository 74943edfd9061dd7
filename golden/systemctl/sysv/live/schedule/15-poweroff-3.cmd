shutdown -P 3
