systemctl status fork-never.service
