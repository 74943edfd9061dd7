systemctl status loop-signal.service -n 0
