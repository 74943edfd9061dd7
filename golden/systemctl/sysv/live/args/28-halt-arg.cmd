systemctl halt x
