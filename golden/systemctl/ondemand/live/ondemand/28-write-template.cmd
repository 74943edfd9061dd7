cp /opt/ondemand/od-tmpl@.service /etc/systemd/system/
