reboot -w
