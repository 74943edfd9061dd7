systemctl daemon-reload
