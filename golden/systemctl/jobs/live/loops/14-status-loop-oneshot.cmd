systemctl status loop-oneshot.service -n 0
