systemctl reset-failed loop-exit.service
