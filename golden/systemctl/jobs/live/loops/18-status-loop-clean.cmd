systemctl status loop-clean.service -n 0
