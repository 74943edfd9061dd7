rm /etc/systemd/system/default.target
