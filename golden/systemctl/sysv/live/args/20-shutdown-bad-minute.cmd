shutdown 12:60
