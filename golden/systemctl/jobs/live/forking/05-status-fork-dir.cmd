systemctl status fork-dir.service
