systemctl set-default od-default.target
