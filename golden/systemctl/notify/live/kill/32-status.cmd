systemctl status kill-control.service
