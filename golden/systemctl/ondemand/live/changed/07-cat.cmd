systemctl cat od-run.service
