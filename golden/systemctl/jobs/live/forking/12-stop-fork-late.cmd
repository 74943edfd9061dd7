systemctl stop fork-late.service
