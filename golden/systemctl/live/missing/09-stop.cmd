systemctl stop nosuch.service
