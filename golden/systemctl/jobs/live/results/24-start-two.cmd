systemctl start res-exit.service res-signal.service
