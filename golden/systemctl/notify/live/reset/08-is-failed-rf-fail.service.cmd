systemctl is-failed rf-fail.service
