systemctl reboot a b
