systemctl cat demo-simple
