systemctl is-failed demo.target
