systemctl status kill-main.service
