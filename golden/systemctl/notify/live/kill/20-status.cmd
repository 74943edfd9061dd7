systemctl status kill-tree.service
