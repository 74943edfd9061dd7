systemctl set-default od-run.service
