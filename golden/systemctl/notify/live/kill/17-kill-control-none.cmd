systemctl kill --kill-whom=control kill-tree.service
