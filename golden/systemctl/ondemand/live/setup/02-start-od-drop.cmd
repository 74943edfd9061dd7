systemctl start od-drop.service
