systemctl poweroff x
