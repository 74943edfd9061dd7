shutdown -x
