systemctl status od-drop.service
