SYSTEMD_OFFLINE=1 systemctl poweroff
