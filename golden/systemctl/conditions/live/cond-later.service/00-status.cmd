systemctl status cond-later.service
