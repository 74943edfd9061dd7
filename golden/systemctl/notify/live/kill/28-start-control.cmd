systemctl start --no-block kill-control.service
