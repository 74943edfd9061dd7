rm /run/cond-flag && systemctl restart cond-later.service
