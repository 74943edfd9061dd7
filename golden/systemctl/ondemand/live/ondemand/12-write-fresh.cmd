cp /opt/ondemand/od-fresh.service /etc/systemd/system/
