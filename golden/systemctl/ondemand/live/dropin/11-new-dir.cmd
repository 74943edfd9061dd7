mkdir /etc/systemd/system/od-nodir.service.d && cp /opt/ondemand/10-nodir.conf /etc/systemd/system/od-nodir.service.d/
