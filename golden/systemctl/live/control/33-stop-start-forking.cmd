systemctl stop demo-forking.service && systemctl start demo-forking.service && systemctl is-active demo-forking.service
