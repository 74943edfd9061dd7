systemctl cat demo.target
