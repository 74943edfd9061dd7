systemctl set-default od-nosuch
