systemctl kill --kill-whom=main kill-hup.service
