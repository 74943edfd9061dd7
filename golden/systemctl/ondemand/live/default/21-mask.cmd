ln -sf /dev/null /etc/systemd/system/default.target
