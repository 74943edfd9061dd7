shutdown -H +10 going down for maintenance
