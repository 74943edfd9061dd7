systemctl reset-failed
