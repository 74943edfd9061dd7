systemctl start fork-late.service
