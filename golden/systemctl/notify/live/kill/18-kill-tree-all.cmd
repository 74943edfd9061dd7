systemctl kill kill-tree.service
