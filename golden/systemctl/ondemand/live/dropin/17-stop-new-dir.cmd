systemctl stop od-nodir.service
