systemctl stop od-run.service
