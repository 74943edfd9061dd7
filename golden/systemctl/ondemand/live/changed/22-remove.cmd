rm /etc/systemd/system/od-run.service
