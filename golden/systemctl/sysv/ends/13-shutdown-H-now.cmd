shutdown -H now
