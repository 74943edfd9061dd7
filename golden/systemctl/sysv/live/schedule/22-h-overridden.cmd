shutdown -H -h +4
