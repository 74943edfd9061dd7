systemctl exit 300
