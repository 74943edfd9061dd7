rm /etc/systemd/system/od-drop.service.d/20-second.conf
