shutdown -k now
