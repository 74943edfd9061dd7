systemctl reset-failed demo-fail.service
