reboot -f
