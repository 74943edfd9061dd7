readlink /etc/systemd/system/default.target
