cp /opt/ondemand/od-enable.service /etc/systemd/system/
