systemctl start fork-dir.service
