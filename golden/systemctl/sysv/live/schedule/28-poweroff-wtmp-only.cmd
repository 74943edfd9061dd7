poweroff -w
