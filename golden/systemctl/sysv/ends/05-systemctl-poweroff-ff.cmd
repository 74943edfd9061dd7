systemctl poweroff -ff
