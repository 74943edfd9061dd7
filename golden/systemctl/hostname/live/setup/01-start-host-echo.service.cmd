systemctl start host-echo.service
