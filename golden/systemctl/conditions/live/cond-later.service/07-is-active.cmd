systemctl is-active cond-later.service
