systemctl status demo-fail.service
