systemctl status rf-fail-static.service
