cp /opt/ondemand/od-run.service.v2 /etc/systemd/system/od-run.service
