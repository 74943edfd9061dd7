systemctl disable --now demo-forking.service
