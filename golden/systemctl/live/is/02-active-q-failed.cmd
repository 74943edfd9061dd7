systemctl is-active -q demo-fail.service
