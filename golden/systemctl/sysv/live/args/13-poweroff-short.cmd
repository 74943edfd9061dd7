poweroff -x
