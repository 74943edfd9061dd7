systemctl status rf-never-static.service
