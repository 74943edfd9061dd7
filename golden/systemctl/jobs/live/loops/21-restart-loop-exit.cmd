systemctl restart loop-exit.service
