systemctl start fork-never.service
