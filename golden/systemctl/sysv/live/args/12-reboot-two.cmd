reboot a b
