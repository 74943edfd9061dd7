systemctl halt
