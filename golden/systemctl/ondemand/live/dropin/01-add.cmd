cp /opt/ondemand/20-second.conf /etc/systemd/system/od-drop.service.d/
