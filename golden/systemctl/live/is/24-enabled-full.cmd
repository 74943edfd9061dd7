systemctl is-enabled --full demo-simple.service
