systemctl restart od-drop.service
