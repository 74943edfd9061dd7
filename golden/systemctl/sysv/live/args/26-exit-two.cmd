systemctl exit 1 2
