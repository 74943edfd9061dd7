systemctl status host-echo.service
