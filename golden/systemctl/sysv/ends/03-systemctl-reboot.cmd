systemctl reboot
