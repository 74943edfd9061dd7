systemctl disable demo.target && systemctl enable demo.target
