systemctl enable --now demo-forking.service
