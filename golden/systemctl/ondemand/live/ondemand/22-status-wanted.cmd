systemctl status od-wanted.service
