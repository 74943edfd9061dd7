systemctl start --no-block res-core.service
