systemctl daemon-reload demo-simple.service
