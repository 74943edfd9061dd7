systemctl reenable demo-simple.service
