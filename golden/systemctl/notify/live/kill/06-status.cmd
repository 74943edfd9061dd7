systemctl status kill-hup.service
