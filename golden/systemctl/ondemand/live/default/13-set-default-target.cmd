systemctl set-default default.target
