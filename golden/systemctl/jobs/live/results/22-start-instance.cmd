systemctl start res-inst@it.service
