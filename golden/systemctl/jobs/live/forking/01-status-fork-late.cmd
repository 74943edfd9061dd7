systemctl status fork-late.service
