systemctl enable kill-tree.service
