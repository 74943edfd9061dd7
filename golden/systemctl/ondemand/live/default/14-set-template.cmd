systemctl set-default od-tmpl@.target
