shutdown -k +5
