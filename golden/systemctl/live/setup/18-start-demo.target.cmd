systemctl start demo.target
