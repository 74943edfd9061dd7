systemctl status rf-ok.service
