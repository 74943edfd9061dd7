touch /etc/systemd/system/od-drop.service.d/10-first.conf
