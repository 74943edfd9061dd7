systemctl is-active demo-fail.service
