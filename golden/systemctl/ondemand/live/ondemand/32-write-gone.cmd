cp /opt/ondemand/od-gone.service /etc/systemd/system/
