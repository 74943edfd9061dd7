systemctl exit 42
