systemctl Status demo-simple.service
