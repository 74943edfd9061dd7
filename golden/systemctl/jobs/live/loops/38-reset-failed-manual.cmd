systemctl reset-failed loop-manual.service
