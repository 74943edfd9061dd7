systemctl exit
