systemctl status rf-ok-static.service
