systemctl enable demo.target
