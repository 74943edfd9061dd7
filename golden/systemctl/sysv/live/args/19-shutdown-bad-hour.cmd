shutdown 25:00
