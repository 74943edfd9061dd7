systemctl status loop-manual.service
