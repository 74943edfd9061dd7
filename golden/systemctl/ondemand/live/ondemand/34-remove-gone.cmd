rm /etc/systemd/system/od-gone.service
