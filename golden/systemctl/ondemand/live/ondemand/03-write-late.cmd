cp /opt/ondemand/od-late.service /etc/systemd/system/
