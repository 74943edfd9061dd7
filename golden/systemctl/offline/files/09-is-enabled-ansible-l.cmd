systemctl is-enabled demo-simple.service -l
