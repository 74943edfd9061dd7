systemctl --user reboot
