systemctl kill --kill-whom=some kill-hup.service
