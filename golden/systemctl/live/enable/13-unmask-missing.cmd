systemctl unmask nosuch3.service
