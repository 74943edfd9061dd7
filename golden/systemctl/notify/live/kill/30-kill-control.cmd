systemctl kill --kill-whom=control kill-control.service
