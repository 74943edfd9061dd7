systemctl set-default od-nosuch.target
