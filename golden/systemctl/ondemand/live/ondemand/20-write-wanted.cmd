cp /opt/ondemand/od-wanted.service /etc/systemd/system/
