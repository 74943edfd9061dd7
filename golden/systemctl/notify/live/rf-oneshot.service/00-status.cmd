systemctl status rf-oneshot.service
