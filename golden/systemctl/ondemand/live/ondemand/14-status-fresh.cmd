systemctl status od-fresh.service
