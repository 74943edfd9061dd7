systemctl status rf-never.service
