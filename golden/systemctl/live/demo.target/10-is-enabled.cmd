systemctl is-enabled demo.target
