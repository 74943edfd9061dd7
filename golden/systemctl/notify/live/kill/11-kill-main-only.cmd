systemctl kill --kill-whom=main kill-main.service
