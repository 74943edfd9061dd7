systemctl start kill-hup.service kill-main.service kill-tree.service
