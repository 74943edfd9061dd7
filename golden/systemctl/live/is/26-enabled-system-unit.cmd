systemctl is-enabled systemd-journald.service
