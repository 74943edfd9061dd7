systemctl start -q res-exit.service
