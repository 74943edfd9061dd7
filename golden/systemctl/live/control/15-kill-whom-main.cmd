systemctl kill --kill-whom=main -s SIGCONT demo-reload.service
