shutdown -- -5
