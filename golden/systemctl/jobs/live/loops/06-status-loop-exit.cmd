systemctl status loop-exit.service -n 0
