systemctl status rf-fail.service
