mkdir -p /usr/local/lib/systemd/system && cp /opt/ondemand/od-vendor.service /usr/local/lib/systemd/system/
