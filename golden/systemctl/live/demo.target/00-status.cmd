systemctl status demo.target
