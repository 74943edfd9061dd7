systemctl reset-failed nosuch.service
