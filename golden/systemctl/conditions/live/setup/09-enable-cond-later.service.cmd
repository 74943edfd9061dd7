systemctl enable cond-later.service
