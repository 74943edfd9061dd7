touch /run/cond-flag
