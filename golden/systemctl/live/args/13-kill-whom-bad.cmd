systemctl kill --kill-whom=bogus demo-simple.service
