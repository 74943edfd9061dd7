systemctl enable demo-simple.service && systemctl reenable demo-simple.service
