shutdown now
