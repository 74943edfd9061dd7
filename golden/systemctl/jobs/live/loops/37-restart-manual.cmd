systemctl restart loop-manual.service
