systemctl start --job-mode=replace-irreversibly assert-fail.service
