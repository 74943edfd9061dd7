systemctl is-failed cond-later.service
