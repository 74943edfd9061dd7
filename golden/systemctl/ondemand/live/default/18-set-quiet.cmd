systemctl set-default -q graphical.target
